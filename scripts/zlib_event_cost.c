/* Per-event deflate cost with the compact-text format-1 dictionary (issue 11).
   Build: gcc -O2 scripts/zlib_event_cost.c -lz -o /tmp/zb
   Needs dict.bin (the text of CompactTextDictionary.version1) and sample.jsonl (event lines) in the current folder.
   Run: /tmp/zb LEVEL WINDOWBITS MEMLEVEL MODE   (MODE 0: deflateCopy of a primed stream per event; 1: deflateReset +
   deflateSetDictionary per event; 3: deflateCopy + deflateEnd only, no deflate) */
#include <zlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
int main(int argc,char**argv){
  FILE*f=fopen("dict.bin","rb");static unsigned char dict[65536];int dl=fread(dict,1,65536,f);fclose(f);
  f=fopen("sample.jsonl","rb");fseek(f,0,2);long n=ftell(f);fseek(f,0,0);char*buf=malloc(n);fread(buf,1,n,f);fclose(f);
  char*lines[30000];int lens[30000];int c=0;char*p=buf;while(p<buf+n&&c<30000){char*e=memchr(p,'\n',buf+n-p);if(!e)break;lines[c]=p;lens[c]=e-p;c++;p=e+1;}
  int level=atoi(argv[1]), wb=atoi(argv[2]), ml=atoi(argv[3]), mode=atoi(argv[4]);
  unsigned char out[70000];
  z_stream primed;memset(&primed,0,sizeof primed);deflateInit2(&primed,level,Z_DEFLATED,-wb,ml,Z_DEFAULT_STRATEGY);deflateSetDictionary(&primed,dict,dl);
  z_stream s;memset(&s,0,sizeof s);deflateInit2(&s,level,Z_DEFLATED,-wb,ml,Z_DEFAULT_STRATEGY);
  long total=0,in=0;double t0=now();
  for(int r=0;r<3;r++)for(int i=0;i<c;i++){
    z_stream *z;
    if(mode==0||mode==3){deflateCopy(&s,&primed);z=&s;}
    else {deflateReset(&s);deflateSetDictionary(&s,dict,dl);z=&s;}
    if(mode==3){deflateEnd(&s);continue;}
    z->next_in=(unsigned char*)lines[i];z->avail_in=lens[i];z->next_out=out;z->avail_out=sizeof out;
    deflate(z,Z_FINISH);if(r==0){total+=z->total_out;in+=lens[i];}
    if(mode==0)deflateEnd(&s);
  }
  double t=now()-t0;
  printf("level %d wb %d ml %d mode %s: %.2f us/event, %.1f B/event (in %.1f)\n",level,wb,ml,mode==1?"reset+setdict":mode==3?"copy only, no deflate":"copy",t/(3*c)*1e6,(double)total/c,(double)in/c);
}
